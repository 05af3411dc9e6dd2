"""Virtual experiments: each programme evaluated the way its published evaluation did.

A virtual experiment runs a scenario and the baseline side by side under common random numbers
(`paired`), follows the programme's participants in both (`panels`: the counterfactual of a
participant is the same resident, or the same startup, in the paired baseline), and compares the
model's effect at the evaluation's horizon with the published estimate (`evidence`).
"""
