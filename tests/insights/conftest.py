import pytest

from portal.insights import charts


@pytest.fixture(autouse=True)
def _validate_figures(monkeypatch):
    """The app builds figures without plotly's validation (it is slow); tests validate every
    figure they build, so a wrong property name or value fails here."""
    monkeypatch.setattr(charts, "VALIDATE", True)
