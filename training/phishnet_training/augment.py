"""Counterfactual augmentation: legitimate sign-in pages and pages behind the sign-in.

Why: phishing feeds are mostly sign-in pages and fake mailboxes, while the legitimate sources (search results,
directory crawls, top-lists; ``../shared/data/README.md``) hold few of either. A model trained on them learns
"sign-in words → phishing" and "mail / inbox / billing → phishing", and then flags the sign-in pages, webmail and
account pages of legitimate sites (``fixtures/benign-*.csv``: model v2 flagged 34 of 40 sign-in pages). Whether
such a page is phishing depends on whose host it is on, not on the words ``login``, ``inbox`` or ``account``.

What: for a seeded random sample of the legitimate registered domains in the training data, one extra legitimate
URL per domain and page kind: an origin of that domain taken from the data (scheme and host as published), with the
path of a page of that kind (``SIGN_IN_PATHS``, ``SIGNED_IN_PATHS``: the default routes of widely used web
frameworks and platforms, each listed with its source). A fifth of them also move to a subdomain typical of the
kind (``accounts.``, ``login.``…; ``mail.``, ``app.``…) of the same registered domain, as many large sites do. The
registered domain stays the same, so grouped cross-validation keeps each added URL in the same fold as its domain:
the added rows are trained on, and every metric is computed on the real rows only (``is_added``).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

AUGMENT_PREFIX = "augment:"  # the ``source`` of every added row starts with this


def is_added(sources: np.ndarray) -> np.ndarray:
    """bool [n]: rows added by augmentation (their ``source`` starts with ``AUGMENT_PREFIX``)."""
    return pd.Series(sources, dtype=object).str.startswith(AUGMENT_PREFIX).to_numpy(dtype=bool)


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

# path (+ query) of a page behind the sign-in (mailbox, orders, billing, app home) → where the route comes from
SIGNED_IN_PATHS: dict[str, str] = {
    "/mail/": "generic webmail",
    "/mail/inbox": "generic webmail",
    "/webmail/": "cPanel / hosting webmail",
    "/?_task=mail&_mbox=INBOX": "Roundcube",
    "/owa/": "Outlook Web App (Exchange on-premises)",
    "/owa/#path=/mail": "Outlook Web App (Exchange on-premises)",
    "/SOGo/so/": "SOGo",
    "/apps/mail/": "Nextcloud Mail",
    "/apps/files/": "Nextcloud",
    "/inbox": "generic",
    "/messages": "generic",
    "/notifications": "Mastodon, GitHub-style",
    "/home": "Mastodon, generic app home",
    "/app/home": "generic",
    "/app": "generic",
    "/feed": "generic",
    "/u/0/": "Google-style account index",
    "/dashboard/projects": "GitLab",
    "/my-account/orders/": "WooCommerce",
    "/sales/order/history/": "Magento 2",
    "/index.php?route=account/order": "OpenCart",
    "/account/orders": "generic storefront",
    "/orders": "generic",
    "/purchases": "generic",
    "/cart": "generic storefront",
    "/checkout": "generic storefront",
    "/billing": "generic",
    "/account/billing": "generic",
    "/payments": "generic",
    "/transactions": "generic",
    "/account/security": "generic",
    "/settings/security": "generic",
    "/account/settings": "generic",
    "/user/profile": "generic",
    "/admin/": "Django admin, generic",
    "/wp-admin/": "WordPress",
    "/wp-admin/profile.php": "WordPress",
    "/portal/": "generic",
    "/client/dashboard": "generic",
    "/clientarea.php": "WHMCS",
}

SIGNED_IN_SUBDOMAINS = ("mail", "webmail", "app", "my", "portal", "dashboard", "account", "secure")


@dataclass(frozen=True)
class PageKind:
    """A kind of legitimate page to add: its rows' ``source``, its paths (path → where the route comes from) and the
    subdomains a fifth of its URLs move to."""
    source: str
    paths: dict[str, str]
    subdomains: tuple[str, ...]


SIGN_IN = PageKind(f"{AUGMENT_PREFIX}sign-in", SIGN_IN_PATHS, SIGN_IN_SUBDOMAINS)
SIGNED_IN = PageKind(f"{AUGMENT_PREFIX}signed-in", SIGNED_IN_PATHS, SIGNED_IN_SUBDOMAINS)


def account_page_rows(urls: np.ndarray, labels: np.ndarray, groups: np.ndarray, kind: PageKind, fraction: float,
                      seed: int) -> pd.DataFrame:
    """Legitimate URLs of one page ``kind`` for a ``fraction`` (0..1] of the legitimate registered domains.

    ``urls``, ``labels`` (0/1), ``groups`` (registered domain, from the feature CLI): the training rows, [n] each.
    Returns a frame with columns ``url``, ``label`` (0), ``source`` (``kind.source``), ``first_seen`` (empty): at
    most one row per sampled domain, deterministic for a given ``seed``. Skipped: domains that carry the phishing
    label anywhere in the data (shared hosting, compromised sites), IP hosts, URLs without an http(s) scheme, and
    origins with userinfo or a port. Raises ``ValueError`` when ``fraction`` is outside (0, 1]."""
    if not 0 < fraction <= 1:
        raise ValueError(f"augmentation fraction must be in (0, 1], got {fraction}")
    rng = np.random.default_rng(seed)
    phishing_domains = set(groups[labels == 1])
    legit = pd.DataFrame({"url": urls[labels == 0], "group": groups[labels == 0]})
    legit = legit[~legit["group"].isin(phishing_domains) & ~legit["group"].str.fullmatch(r"[0-9.]+|\[.*\]")]
    first = legit.drop_duplicates("group").sort_values("group", kind="stable")
    take = first.iloc[rng.permutation(len(first))[: max(1, round(len(first) * fraction))]]
    paths = list(kind.paths)
    out = []
    for url, group in zip(take["url"], take["group"]):
        origin = urlsplit(url)
        host = origin.netloc
        if origin.scheme not in ("http", "https") or not host or "@" in host or ":" in host:
            continue
        if rng.random() < 0.2:
            host = f"{kind.subdomains[rng.integers(len(kind.subdomains))]}.{group}"
        out.append(f"{origin.scheme}://{host}{paths[rng.integers(len(paths))]}")
    return pd.DataFrame({"url": out, "label": 0, "source": kind.source, "first_seen": ""})
