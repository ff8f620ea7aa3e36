from fastapi import FastAPI

app = FastAPI(title="Payments API", version="2.4.0")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v2/payments", status_code=201)
def create_payment(request: dict) -> dict:
    # TODO: call fraud-api before authorising with the PSP
    return {"id": "pay_123", "status": "authorised", **request}
