"""Person-centred data model (PCDM) for Finland's wellbeing services counties."""

__version__ = "0.1.0"
