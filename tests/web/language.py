"""Words of the other language on a page: every visible text node (and label, placeholder)
against the words found only in the other language's interface dictionary (i18n.js) and team
and label names (GET /api/names).

Content people wrote (posts, handles, notes, drafts), identifiers from the brand file and language
names (each in its own language) are marked translate="no" and left out.
"""

from __future__ import annotations

from playwright.sync_api import Page

_SCRIPT = """async (lang) => {
  const i18n = await import('/assets/vigie/i18n.js');
  const names = await (await fetch('/api/names')).json();  // team and label names of the brand
  const named = (l) => [...Object.values(names.teams), ...Object.values(names.labels)].map((n) => n[l]);
  const words = (l) =>
    new Set(i18n.dictionary(l).concat(named(l)).join(' ').toLowerCase().match(/\\p{L}{4,}/gu));
  const mine = words(lang);
  const foreign = new Set([...words(lang === 'fr' ? 'en' : 'fr')].filter((w) => !mine.has(w)));
  const found = [];
  const look = (text, where) => {
    for (const w of (text.toLowerCase().match(/\\p{L}{4,}/gu) || [])) {
      if (foreign.has(w)) found.push(`${w} in «${text.trim().slice(0, 90)}» (${where})`);
    }
  };
  const shown = (node) => {
    if (node.closest('[translate="no"]')) return false;
    return (node.closest('option') ? node.closest('select') : node).checkVisibility();
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (parent && !['SCRIPT', 'STYLE'].includes(parent.tagName) && shown(parent)) look(n.textContent, parent.tagName);
  }
  for (const node of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
    if (!shown(node)) continue;
    for (const name of ['aria-label', 'placeholder', 'title']) if (node.getAttribute(name)) look(node.getAttribute(name), name);
  }
  look(document.title, 'title');
  return found;
}"""


def foreign_words(page: Page, lang: str) -> list[str]:
    """Visible words of the page that belong only to the other language's dictionary."""
    found: list[str] = page.evaluate(_SCRIPT, lang)
    return found


def assert_only(page: Page, lang: str, where: str) -> None:
    found = foreign_words(page, lang)
    assert not found, f"{where}: words of the other language on a {lang} page: {found}"
