from ampsim.core.parameters import iter_parameters
from ampsim.model import ModelParameters


def test_every_parameter_has_a_unit_a_source_and_a_description():
    rows = list(iter_parameters(ModelParameters()))
    assert len(rows) >= 80
    for path, value, unit, source, description in rows:
        assert value is not None, path
        assert unit, f"{path} has no unit"
        assert source, f"{path} has no source"
        assert description, f"{path} has no description"
