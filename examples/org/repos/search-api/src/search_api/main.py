from fastapi import FastAPI

app = FastAPI(title="Search API")


@app.get("/search")
def search(q: str, category: str | None = None, page: int = 1) -> dict:
    return {"query": q, "hits": [], "page": page}
