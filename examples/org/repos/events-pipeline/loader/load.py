"""Copy curated Iceberg tables into Snowflake."""


def load(table: str) -> None:
    print(f"loading {table}")
