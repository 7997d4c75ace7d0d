"""The web UI in a real browser: Debian's chromium, headless, driven by Playwright, against a real
`kinema serve` on the tiny checkpoint. Screenshots land in the test's folder (desktop and phone)."""

import shutil

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (the test extra has it)")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does)")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


def sign_in(browser, url, email, password, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/")
    assert page.url.endswith("/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_sign_in_generate_play_and_screenshot(browser, tiny_service, tmp_path):
    tiny_service.account("artist@example.com", password="artist password", role="artist")
    page = sign_in(browser, tiny_service.url, "artist@example.com", "artist password")
    page.fill("#prompt", "a red ball bounces on the grass")
    page.fill("input[name=seconds]", "1")
    page.fill("input[name=seed]", "11")
    page.click("summary")
    page.fill("input[name=steps]", "3")
    page.click("#generate")
    card = page.locator("article.video").first
    card.locator("video").wait_for(timeout=60_000)  # appears when the job completes
    assert card.get_attribute("data-status") == "completed"
    assert "seed 11" in card.locator(".meta").inner_text()
    played = page.evaluate("""async () => {
        const video = document.querySelector('article.video video');
        if (video.readyState < 2) await new Promise(r => video.addEventListener('loadeddata', r, {once: true}));
        await video.play();
        await new Promise(r => setTimeout(r, 300));
        return {time: video.currentTime, width: video.videoWidth, height: video.videoHeight, error: video.error};
    }""")
    assert played["time"] > 0 and (played["width"], played["height"]) == (64, 64) and played["error"] is None
    assert card.locator("a.download").get_attribute("href").endswith("/content")
    page.screenshot(path=str(tmp_path / "studio-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    page.screenshot(path=str(tmp_path / "studio-phone.png"), full_page=True)

    page.on("dialog", lambda dialog: dialog.accept())
    card.locator("button.delete").click()
    page.wait_for_function("document.querySelectorAll('article.video').length === 0", timeout=10_000)


def test_a_second_user_cannot_see_the_first_users_video(browser, tiny_service):
    tiny_service.account("first@example.com", password="first password")
    tiny_service.account("second@example.com", password="second password")
    first = sign_in(browser, tiny_service.url, "first@example.com", "first password")
    first.fill("#prompt", "a private blue cube")
    first.fill("input[name=seconds]", "1")
    first.click("#generate")
    first.locator("article.video").first.wait_for()
    video_id = first.locator("article.video").first.get_attribute("data-id")

    second = sign_in(browser, tiny_service.url, "second@example.com", "second password")
    second.wait_for_function("document.getElementById('empty').hidden === false")
    assert second.locator("article.video").count() == 0
    response = second.request.get(f"{tiny_service.url}/v1/videos/{video_id}")
    assert response.status == 404
    assert second.request.get(f"{tiny_service.url}/v1/videos/{video_id}/content").status == 404
    assert "a private blue cube" not in second.content()


def test_admin_page_invites_and_shows_the_audit_log(browser, tiny_service, tmp_path):
    tiny_service.account("boss@example.com", password="boss password", role="admin")
    page = sign_in(browser, tiny_service.url, "boss@example.com", "boss password")
    page.click("text=Admin")
    page.fill("input[name=email]", "newcomer@example.com")
    page.select_option("select[name=role]", "red-teamer")
    page.click("text=Invite")
    link = page.locator("#invite-link").inner_text()
    assert "/join?token=" in link
    assert page.locator("#audit").inner_text().count("sign_in") >= 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "admin-phone.png"), full_page=True)

    newcomer = browser.new_context().new_page()
    newcomer.goto(link)
    newcomer.fill("input[name=password]", "newcomer password")
    newcomer.click("button[type=submit]")
    newcomer.wait_for_url(f"{tiny_service.url}/")
    assert newcomer.locator("#prompt").is_visible()
