import pytest
from tests.e2e.conftest import screenshot

@pytest.mark.e2e
def test_explore(page, live_server):
    logs = []
    page.on("console", lambda m: logs.append(m.text))
    page.goto(live_server.url + "/")
    page.locator("#ra-question textarea").fill("2023年预算完成率是多少？")
    page.locator("#ra-send").click()
    page.wait_for_timeout(4000)
    screenshot(page, "explore")
    print(page.locator(".message-content .ra-answer").last.evaluate("e => e.outerHTML")[-1500:])
    print(logs)
