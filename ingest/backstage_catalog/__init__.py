from ingest.backstage_catalog.config import BackstageCatalogConfig
from ingest.backstage_catalog.source import BackstageCatalogSource

__all__ = ["BackstageCatalogConfig", "BackstageCatalogSource"]
