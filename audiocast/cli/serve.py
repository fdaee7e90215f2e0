"""``audiocast serve``: serve a built output tree and print the addresses to subscribe to."""

from __future__ import annotations

from pathlib import Path

import click

from ..serve import BUILD_COMMAND, Server, find_feeds, lan_address, serve


@click.command("serve")
@click.argument("root", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets other devices on your network (a phone) subscribe.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
def serve_command(root: Path, host: str, port: int) -> None:
    """Serve ROOT (e.g. public/) over HTTP for podcast apps and browsers, until Ctrl-C."""
    serve(root, host=host, port=port, on_ready=_announce)


def _announce(server: Server) -> None:
    """Print where to subscribe: one feed address (and its web page) per feed.xml under the root."""
    base = _base_url(server)
    click.echo(f"Serving {server.root} at {base}")
    feeds = find_feeds(server.root)
    if not feeds:
        click.echo(f"No feed.xml here yet; build one with `{BUILD_COMMAND}`.")
    for feed in feeds:
        feed_url = base + feed.path
        page_url = feed_url.removesuffix("feed.xml")
        click.echo(f"Subscribe in a podcast app: {feed_url}")
        click.echo(f"  or open in a browser:     {page_url}")
        if feed.self_url is not None and feed.self_url != feed_url:
            click.echo(
                f"  note: this feed's episode links point to {feed.self_url.removesuffix('feed.xml')}; "
                f"to stream them from here, rebuild with --base-url {page_url}"
            )
    if base != server.url:
        click.echo(f"From this machine you can also use {server.url}")
    click.echo("Press Ctrl-C to stop.")


def _base_url(server: Server) -> str:
    """The root URL other devices should use: the LAN address when bound to every interface."""
    if server.host not in {"0.0.0.0", "::"}:
        return server.url
    address = lan_address()
    if address is None:
        click.echo("Other devices need this machine's network address in place of 127.0.0.1.")
        return server.url
    return f"http://{address}:{server.port}/"
