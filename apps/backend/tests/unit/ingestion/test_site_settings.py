"""Which clicks a site keeps for heatmaps."""

from uuid import uuid4

from fieldmark.ingestion.domain.site import SiteSettings


def settings(heatmaps: bool, pages: tuple[str, ...] = ()) -> SiteSettings:
    return SiteSettings(uuid4(), "a.example", "fm_x", ("a.example",), heatmaps=heatmaps, heatmap_pages=pages)


def test_clicks_are_kept_only_with_heatmaps_on_and_on_the_listed_pages() -> None:
    assert not settings(False).keeps_clicks_of("/")
    assert settings(True).keeps_clicks_of("/anything/at/all")
    listed = settings(True, ("/pricing", "/blog/*", "/docs/**"))
    kept = ["/pricing", "/blog/launch", "/docs/api/v2"]
    dropped = ["/", "/pricing/team", "/blog/a/b", "/documentation"]
    assert [listed.keeps_clicks_of(p) for p in kept] == [True] * 3
    assert [listed.keeps_clicks_of(p) for p in dropped] == [False] * 4
