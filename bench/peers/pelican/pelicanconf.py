"""Pelican settings for the benchmark: the pages Salvo writes (notes, timeline, classes, feed), no others."""

import json
from pathlib import Path

VOCABULARIES = json.loads((Path(__file__).parent / "vocabularies.json").read_text(encoding="utf-8"))
AUTHOR = "The Salvo editors"
SITENAME = "Salvo"
SITEURL = "https://salvo.example.org"
PATH = "content"
ARTICLE_PATHS = ["incidents"]
PAGE_PATHS = []
STATIC_PATHS = []
THEME = "theme"
TIMEZONE = "Asia/Seoul"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = False
RELATIVE_URLS = False

ARTICLE_URL = "incidents/{slug}/"
ARTICLE_SAVE_AS = "incidents/{slug}/index.html"
CATEGORY_URL = "missile-types/{slug}/"
CATEGORY_SAVE_AS = "missile-types/{slug}/index.html"
DIRECT_TEMPLATES = ["index"]
TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
TAGS_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = ARCHIVES_SAVE_AS = ""

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_MAX_ITEMS = 30
CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None
