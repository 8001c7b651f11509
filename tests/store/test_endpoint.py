"""Which API a profile talks to: the base URL kept in profiles.toml (profiles written before
it was kept still load, as Wix's), and the order --wix-base-url > WIX_BASE_URL > the profile's
> https://www.wixapis.com, with plain http refused except on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.commands.unlock import Refusal, given_passphrase
from tui.store import profiles as profile_file
from tui.store.endpoint import (
    DEFAULT_SOURCE,
    BadBaseUrl,
    Endpoint,
    endpoint_for,
    given_base_url,
)
from tui.store.profiles import InvalidProfile, Profile
from tui.wix.urls import WIX_BASE_URL

SITE = "c993128b-26be-41cd-9fcd-904abe23462f"
SANDBOX = "http://127.0.0.1:8765"


def test_a_profile_written_before_base_urls_loads_as_wix(tmp_path: Path) -> None:
    path = tmp_path / "profiles.toml"
    path.write_text(
        f'last_used = "old"\n[profiles.old]\nsite_id = "{SITE}"\nauth = "api_key"\n'
        'storage = "keyring"\n'
    )
    loaded = profile_file.load(path)
    assert loaded.problem == ""
    old = loaded.profiles["old"]
    assert old.base_url is None and old.api_url == WIX_BASE_URL
    assert endpoint_for(None, old) == Endpoint(WIX_BASE_URL, DEFAULT_SOURCE)
    # Saved again, it stays as it was: no base_url written for Wix's own.
    profile_file.save(path, loaded)
    assert "base_url" not in path.read_text()


def test_the_base_url_is_kept_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "profiles.toml"
    sandbox = Profile("sandbox", SITE, base_url=SANDBOX + "/")
    wix = Profile("acme", SITE, base_url=WIX_BASE_URL)  # given explicitly: the same as none
    profile_file.save(path, profile_file.Profiles({"sandbox": sandbox, "acme": wix}))
    text = path.read_text()
    assert f'base_url = "{SANDBOX}"' in text and text.count("base_url") == 1
    loaded = profile_file.load(path).profiles
    assert loaded["sandbox"].base_url == SANDBOX  # the trailing slash is gone
    assert loaded["acme"].base_url is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://wix.example.com", "plain http://"),
        ("ftp://127.0.0.1", "needs https://"),
        ("https://user:pw@api.example.com", "user name or password"),
        ("https://api.example.com/?q=1", "query string"),
    ],
)
def test_a_base_url_that_cannot_be_used_is_refused(tmp_path: Path, url: str, words: str) -> None:
    with pytest.raises(InvalidProfile, match=words):
        Profile("p", SITE, base_url=url)
    with pytest.raises(BadBaseUrl, match=words) as raised:
        given_base_url(url, environ={})
    assert str(raised.value).startswith("--wix-base-url: ")
    with pytest.raises(BadBaseUrl, match=r"^WIX_BASE_URL: "):
        given_base_url(None, environ={"WIX_BASE_URL": url})
    # Hand-written into profiles.toml: that profile is named as unusable and kept in the file;
    # the others load.
    path = tmp_path / "profiles.toml"
    path.write_text(
        f'[profiles.bad]\nsite_id = "{SITE}"\nbase_url = "{url}"\n'
        f'[profiles.good]\nsite_id = "{SITE}"\n'
    )
    loaded = profile_file.load(path)
    assert list(loaded.profiles) == ["good"]
    assert "'bad'" in loaded.problem and "bad" in loaded.kept


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765", "http://[::1]:80", "http://localhost:1"])
def test_plain_http_on_loopback_is_accepted(url: str) -> None:
    assert Profile("p", SITE, base_url=url).base_url == url
    assert given_base_url(url, environ={}) == Endpoint(url, "--wix-base-url")


def test_the_flag_wins_over_the_environment_which_wins_over_the_profile() -> None:
    env = {"WIX_BASE_URL": "https://env.example.com"}
    profile = Profile("sandbox", SITE, base_url=SANDBOX)
    flag = given_base_url("https://flag.example.com", environ=env)
    assert endpoint_for(flag, profile) == Endpoint("https://flag.example.com", "--wix-base-url")
    from_env = given_base_url(None, environ=env)
    assert endpoint_for(from_env, profile) == Endpoint("https://env.example.com", "WIX_BASE_URL")
    assert given_base_url(None, environ={"WIX_BASE_URL": "  "}) is None  # empty: not given
    assert endpoint_for(None, profile) == Endpoint(SANDBOX, "profile sandbox")
    assert endpoint_for(None, None).url == WIX_BASE_URL


def test_passphrase_sources(tmp_path: Path) -> None:
    file = tmp_path / "pass"
    file.write_text("a long passphrase\n")
    given = given_passphrase(str(file), environ={"WIX_SENDING_PASSPHRASE": "from env"})
    assert given is not None and given.text == "a long passphrase"  # the file wins
    assert "a long passphrase" not in repr(given)
    from_env = given_passphrase(None, environ={"WIX_SENDING_PASSPHRASE": "from env"})
    assert from_env is not None and (from_env.text, from_env.source) == (
        "from env",
        "WIX_SENDING_PASSPHRASE",
    )
    assert given_passphrase(None, environ={}) is None
    file.write_text("\n")
    with pytest.raises(Refusal, match="empty"):
        given_passphrase(str(file), environ={})
    with pytest.raises(Refusal, match="cannot be read"):
        given_passphrase(str(tmp_path / "missing"), environ={})
    with pytest.raises(Refusal, match="not a passphrase file"):
        given_passphrase("/dev/zero", environ={})
    file.write_bytes(b"\xff\xfe")
    with pytest.raises(Refusal, match="UTF-8"):
        given_passphrase(str(file), environ={})
