"""Driving the pages with Playwright."""


def log_in(page, username: str, password: str, *, login_path: str) -> None:
    page.goto(login_path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[type=submit]")
