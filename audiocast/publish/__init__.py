"""Publishing an episode: ID3 tags, captions, chapters and transcript (and, for feeds, the feed)."""
