"""Reference implementations of the five seed APIs, for apictl's tests and demo."""
