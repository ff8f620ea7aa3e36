from ingest.catalog_files.config import CatalogFilesConfig
from ingest.catalog_files.source import CatalogFilesSource

__all__ = ["CatalogFilesConfig", "CatalogFilesSource"]
