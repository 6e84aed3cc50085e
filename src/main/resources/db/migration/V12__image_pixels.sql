-- Decoded pixels (issue 26 item 3): each uploaded image's pixels as every model starts from them (8-bit RGB, three
-- bytes a pixel, rows top to bottom, deflated; width and height are the row's own), stored at upload so that no later
-- use decodes the file again. NULL for an image stored before V12 until its first use stores them (backfill).
-- pixel_bytes: the deflated size, which the pixel quota sums (0 while there are none).
ALTER TABLE images ADD COLUMN pixels BYTEA;
ALTER TABLE images ADD COLUMN pixel_bytes BIGINT DEFAULT 0 NOT NULL;
