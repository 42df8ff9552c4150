-- Gallery moderation: a publication's title and the keys of its gallery copy (made when the
-- work is published, removed when it is unpublished), so taking a work out of the gallery stops
-- serving what the gallery showed while the owner's history keeps the original.
ALTER TABLE works ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE works ADD COLUMN gallery_key TEXT;
ALTER TABLE works ADD COLUMN gallery_thumbnail_key TEXT;
