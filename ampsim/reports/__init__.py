"""Views of the studies' tables: charts, the comparison report (HTML and Markdown), text tables."""
