"""Accessibility checks of a page with axe-core (node_modules/axe-core, a development
package of package.json that only the tests load into the page)."""

from __future__ import annotations

import functools
from typing import Any

from playwright.sync_api import Page

from tests.browser.helpers import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@functools.cache
def _axe_source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `npm ci` (axe-core is in package.json)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """The page's violations of WCAG 2 A/AA rules of these impacts: each rule's id, impact,
    help and the first few offending elements (selector and what axe says about them)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(
        """async (impacts) => {
            const result = await window.axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                resultTypes: ["violations"],
            });
            return result.violations
                .filter((v) => impacts.includes(v.impact))
                .map((v) => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    nodes: v.nodes.slice(0, 5).map((n) => ({
                        target: n.target.join(" "),
                        summary: n.failureSummary,
                    })),
                }));
        }""",
        list(impacts),
    )
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations as lines a failing assertion shows."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node['summary']}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """No serious or critical violation on the page as it is now."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"
