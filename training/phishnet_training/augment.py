"""Counterfactual augmentation: legitimate sign-in and account pages.

Why: phishing feeds are mostly sign-in pages, while the legitimate sources (search results, directory crawls,
top-lists; ``../shared/data/README.md``) hold few. A model trained on them learns "sign-in words → phishing", and
then flags the sign-in pages of legitimate sites (``fixtures/benign-sign-in-pages.csv``: model v2 flagged 34 of 40).
Whether a sign-in page is phishing depends on whose host it is on, not on the words ``login`` or ``account``.

What: for a seeded random sample of the legitimate registered domains in the training data, one extra legitimate
URL: an origin of that domain taken from the data (scheme and host as published), with the path of a sign-in or
account page from ``SIGN_IN_PATHS`` (the default routes of widely used web frameworks and platforms, listed with
their source). A fifth of them also move to a sign-in subdomain (``accounts.``, ``login.``, …) of the same
registered domain, as many large sites do. The registered domain stays the same, so grouped cross-validation keeps
each added URL in the same fold as its domain and never tests on it: metrics are computed on the real rows only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

AUGMENT_SOURCE = "augment:sign-in"

# path (+ query) of a sign-in or account page → where the route comes from
SIGN_IN_PATHS: dict[str, str] = {
    "/login": "generic; Express/Passport, Laravel, Flask-Login examples",
    "/signin": "generic",
    "/sign-in": "generic",
    "/log-in": "generic",
    "/logout": "generic",
    "/register": "Laravel Breeze / Fortify",
    "/signup": "generic",
    "/forgot-password": "Laravel Breeze / Fortify",
    "/password/reset": "Laravel UI",
    "/accounts/login/": "Django django.contrib.auth (LOGIN_URL default)",
    "/accounts/password_reset/": "Django django.contrib.auth",
    "/accounts/profile/": "Django (LOGIN_REDIRECT_URL default)",
    "/users/sign_in": "Ruby on Rails Devise",
    "/users/sign_up": "Ruby on Rails Devise",
    "/users/password/new": "Ruby on Rails Devise",
    "/session/new": "Rails has_secure_password convention",
    "/user/login": "Drupal",
    "/user/register": "Drupal",
    "/user/password": "Drupal",
    "/wp-login.php": "WordPress",
    "/wp-login.php?action=lostpassword": "WordPress",
    "/my-account/": "WooCommerce",
    "/customer/account/login/": "Magento 2",
    "/customer/account/": "Magento 2",
    "/index.php?route=account/login": "OpenCart",
    "/index.php?route=account/account": "OpenCart",
    "/account/login": "Shopify storefront",
    "/account": "Shopify storefront",
    "/account/register": "Shopify storefront",
    "/login.php": "PHP applications (phpBB ucp.php aside), generic",
    "/login.aspx": "ASP.NET Web Forms convention",
    "/Account/Login": "ASP.NET MVC / Identity template",
    "/Identity/Account/Login": "ASP.NET Core Identity",
    "/auth/login": "generic; AdonisJS, NestJS examples",
    "/auth/signin": "NextAuth.js (pages.signIn default /api/auth/signin)",
    "/api/auth/signin": "NextAuth.js",
    "/oauth/authorize": "OAuth 2.0 authorization endpoint (RFC 6749 examples), Doorkeeper",
    "/oauth2/authorize": "OAuth 2.0, Spring Authorization Server",
    "/realms/master/protocol/openid-connect/auth": "Keycloak",
    "/idp/profile/SAML2/Redirect/SSO": "Shibboleth IdP",
    "/cas/login": "Apereo CAS",
    "/ucp.php?mode=login": "phpBB",
    "/index.php?title=Special:UserLogin": "MediaWiki",
    "/member/login": "generic",
    "/members/login": "generic",
    "/profile": "generic",
    "/settings": "generic",
    "/settings/profile": "GitHub-style settings",
    "/dashboard": "generic",
    "/myaccount": "generic",
}

SIGN_IN_SUBDOMAINS = ("accounts", "account", "login", "auth", "id", "sso", "my", "signin")


def sign_in_rows(urls: np.ndarray, labels: np.ndarray, groups: np.ndarray, fraction: float, seed: int) -> pd.DataFrame:
    """Legitimate sign-in/account URLs for a ``fraction`` (0..1] of the legitimate registered domains.

    ``urls``, ``labels`` (0/1), ``groups`` (registered domain, from the feature CLI): the training rows, [n] each.
    Returns a frame with columns ``url``, ``label`` (0), ``source`` (``AUGMENT_SOURCE``), ``first_seen`` (empty):
    at most one row per sampled domain, deterministic for a given ``seed``. Skipped: domains that carry the
    phishing label anywhere in the data (shared hosting, compromised sites), IP hosts, URLs without an http(s) scheme,
    and origins with userinfo or a port. Raises ``ValueError`` when ``fraction`` is outside (0, 1]."""
    if not 0 < fraction <= 1:
        raise ValueError(f"augmentation fraction must be in (0, 1], got {fraction}")
    rng = np.random.default_rng(seed)
    phishing_domains = set(groups[labels == 1])
    legit = pd.DataFrame({"url": urls[labels == 0], "group": groups[labels == 0]})
    legit = legit[~legit["group"].isin(phishing_domains) & ~legit["group"].str.fullmatch(r"[0-9.]+|\[.*\]")]
    first = legit.drop_duplicates("group").sort_values("group", kind="stable")
    take = first.iloc[rng.permutation(len(first))[: max(1, round(len(first) * fraction))]]
    paths = list(SIGN_IN_PATHS)
    out = []
    for url, group in zip(take["url"], take["group"]):
        scheme, sep, rest = url.partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        if not sep or scheme.lower() not in ("http", "https") or "@" in host or ":" in host:
            continue
        if rng.random() < 0.2:
            host = f"{SIGN_IN_SUBDOMAINS[rng.integers(len(SIGN_IN_SUBDOMAINS))]}.{group}"
        out.append(f"{scheme}://{host}{paths[rng.integers(len(paths))]}")
    return pd.DataFrame({"url": out, "label": 0, "source": AUGMENT_SOURCE, "first_seen": ""})
