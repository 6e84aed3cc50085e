-- Image quotas (issue 26 item 7): each image's size, so that the quota sums a column instead of reading every image,
-- and one row per quota that an upload locks (SELECT ... FOR UPDATE) while it counts and inserts, so that concurrent
-- uploads, on one replica or several sharing PostgreSQL, take turns and cannot together pass the quota. The rows are
-- made when first used (a migration's row would collide with the one StoreCopy copies).
ALTER TABLE images ADD COLUMN bytes BIGINT;
UPDATE images SET bytes = OCTET_LENGTH(data);
ALTER TABLE images ALTER COLUMN bytes SET NOT NULL;
CREATE TABLE quota_locks (
    name VARCHAR PRIMARY KEY
);
