"""A FastAPI app, for the OpenAPI 3.1 description FastAPI and pydantic generate from it
(served at /openapi.json, where apictl looks beside a base URL). Only the app is ours:
the description, its $refs, enums and `anyOf` nullables are FastAPI's."""
from enum import Enum
from typing import Optional

from fastapi import Depends, FastAPI
from fastapi.security import HTTPBearer
from pydantic import BaseModel

app = FastAPI(title="Tickets")
bearer = HTTPBearer()


class Priority(str, Enum):
    low = "low"
    high = "high"


class Ticket(BaseModel):
    title: str
    priority: Priority = Priority.low
    estimate: Optional[int] = None
    tags: list[str] = []


@app.post("/tickets")
def create_ticket(ticket: Ticket, credentials=Depends(bearer)):
    return {"id": 1, **ticket.model_dump()}


@app.get("/tickets/{ticket_id}")
def show_ticket(ticket_id: int, verbose: bool = False, credentials=Depends(bearer)):
    return {"id": ticket_id, "verbose": verbose}
