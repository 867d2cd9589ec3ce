-- Fills a migrated, empty-but-for-the-bench-admin registry.db with a registry of @n images (issue 18), in the real schema:
-- users with their entities and tokens, teams with members, collections (1 in 5 private, with a contributor),
-- containers (download counts), images with blobs, tags and SIF labels, stars and audit rows. Run by bench/scale/seed.sh
-- (sqlite3 CLI, @n bound with .parameter). One transaction per table; rows come from recursive CTEs, so 1M images take
-- seconds to minutes, not hours. Blob files are not written (pages and API calls read rows only; see bench/README.md).
--
-- Shape at n images: n/500 users (≥ 20), n/5000 teams (≥ 2) of 10 members, n/20 collections over users and teams,
-- n/4 containers (5 per collection), 4 images per container, 1 tag and 3 labels per image, n/10 stars, n audit rows.
-- Plus the fixed pages the bench opens: bigco/wide (2,000 containers) and bigco/deep/tall (500 tags), in team t0000
-- renamed bigco. No ANALYZE: the app never runs it, so the planner sees what a real registry's file gives it.
PRAGMA synchronous=OFF;
PRAGMA foreign_keys=OFF;
PRAGMA cache_size=-200000;

CREATE TEMP TABLE p AS SELECT @n AS n, max(20, @n / 500) AS u, max(2, @n / 5000) AS t, max(10, @n / 20) AS c, max(50, @n / 4) AS k;
CREATE TEMP TABLE words(i INTEGER PRIMARY KEY, w TEXT);
INSERT INTO words(i, w) VALUES (0,'blast'),(1,'samtools'),(2,'python'),(3,'rstudio'),(4,'gromacs'),(5,'tensorflow'),(6,'bwa'),(7,'star'),
  (8,'openfoam'),(9,'julia'),(10,'busco'),(11,'fastqc'),(12,'cellranger'),(13,'alphafold'),(14,'lammps'),(15,'ubuntu');

BEGIN;
INSERT INTO AspNetUsers(Id, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PasswordHash, SecurityStamp, ConcurrencyStamp,
  PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount, IsAdmin, IsDisabled, RealName, AcceptedTermsVersion, CreatedAt)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.u)
SELECT printf('a1%022x', i), printf('u%05d', i), printf('U%05d', i), printf('u%05d@lab.example', i), printf('U%05d@LAB.EXAMPLE', i), 1, NULL,
  printf('S%031d', i), printf('C%031d', i), 0, 0, 1, 0, 0, 0, printf('User %d', i), 1, '2025-01-01 00:00:00' FROM s;
INSERT INTO Teams(Id, Name, Description, IsOpen, CreatedAt)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.t)
SELECT printf('a2%022x', i), printf('t%04d', i), 'a lab team', 0, '2025-01-01 00:00:00' FROM s;
INSERT INTO TeamMembers(TeamId, UserId, Role, JoinedAt)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.t * 10)
SELECT printf('a2%022x', i / 10), printf('a1%022x', i % (SELECT u FROM p)), CASE WHEN i % 10 = 0 THEN 1 WHEN i % 10 = 9 THEN 2 ELSE 0 END,
  '2025-01-01 00:00:00' FROM s WHERE true ON CONFLICT DO NOTHING;
-- Entities: 0..u-1 users, u..u+t-1 teams; every entity's id is a3 + its number.
INSERT INTO Entities(Id, Name, Description, Kind, UserId, TeamId, QuotaBytes, DefaultPrivate, CreatedAt, UpdatedAt)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.u + p.t)
SELECT printf('a3%022x', i), CASE WHEN i < p.u THEN printf('u%05d', i) ELSE printf('t%04d', i - p.u) END, '',
  CASE WHEN i < p.u THEN 0 ELSE 1 END, CASE WHEN i < p.u THEN printf('a1%022x', i) END, CASE WHEN i >= p.u THEN printf('a2%022x', i - p.u) END,
  NULL, 0, '2025-01-01 00:00:00', '2025-01-01 00:00:00' FROM s, p;
INSERT INTO AccessTokens(Id, UserId, Label, SecretHash, ProtectedSecret, Scope, CollectionId, CreatedAt, ExpiresAt, LastUsedAt, RevokedAt)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.u)
SELECT printf('a4%022x', i), printf('a1%022x', i), 'laptop', printf('%064x', i + 1000000000), NULL, 1, NULL, '2025-01-01 00:00:00', NULL, NULL, NULL FROM s;
COMMIT;

BEGIN;
INSERT INTO Collections(Id, EntityId, Name, Description, IsPrivate, OnlySigned, CreatedById, CreatedAt, UpdatedAt)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.c)
SELECT printf('a5%022x', i), printf('a3%022x', i % (p.u + p.t)), printf('%s-c%06d', (SELECT w FROM words WHERE words.i = s.i % 16), i),
  'tools of a lab', CASE WHEN i % 5 = 4 THEN 1 ELSE 0 END, 0, printf('a1%022x', i % p.u),
  datetime('2025-01-01', printf('+%d seconds', i * 300)), datetime('2025-01-01', printf('+%d seconds', i * 300)) FROM s, p;
-- Private collections get a contributor (not their owner).
INSERT INTO CollectionMembers(CollectionId, UserId, Role)
WITH RECURSIVE s(i) AS (SELECT 4 UNION ALL SELECT i + 5 FROM s, p WHERE i + 5 < p.c)
SELECT printf('a5%022x', i), printf('a1%022x', (i + 1) % p.u), 0 FROM s, p;
INSERT INTO Stars(CollectionId, UserId, CreatedAt)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.n / 10)
SELECT printf('a5%022x', (i * 7) % p.c), printf('a1%022x', (i / p.c) % p.u), '2025-06-01 00:00:00' FROM s, p WHERE true ON CONFLICT DO NOTHING;
INSERT INTO Containers(Id, CollectionId, Name, Description, FullDescription, DownloadCount, CreatedById, CreatedAt, UpdatedAt, AwaitingFirstImage)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.k)
SELECT printf('a6%022x', i), printf('a5%022x', i % p.c), printf('%s-%d', (SELECT w FROM words WHERE words.i = (s.i / 3) % 16), i),
  'a tool', '', (i * 37) % 1000, printf('a1%022x', i % p.u),
  datetime('2025-01-01', printf('+%d seconds', i * 60)), datetime('2025-01-01', printf('+%d seconds', i * 60)), 0 FROM s, p;
COMMIT;

BEGIN;
-- Image i is version i % 4 of container i / 4; its blob hash is its number (distinct files).
INSERT INTO Images(Id, ContainerId, Hash, Size, Arch, Description, Uploaded, Signed, SignedBy, Encrypted, CreatedById, CreatedByName,
  CreatedAt, UpdatedAt, UploadedAt, LabelsRead)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.k * 4)
SELECT printf('a7%022x', i), printf('a6%022x', i / 4), printf('%064x', i), 1048576 + (i % 97) * 65536, 'amd64', '', 1, 0, '', 0,
  printf('a1%022x', (i / 4) % p.u), printf('u%05d', (i / 4) % p.u),
  datetime('2025-01-01', printf('+%d seconds', i * 15)), datetime('2025-01-01', printf('+%d seconds', i * 15)),
  datetime('2025-01-01', printf('+%d seconds', i * 15)), 1 FROM s, p;
INSERT INTO Blobs(Hash, Size, CreatedAt) SELECT Hash, Size, CreatedAt FROM Images WHERE Id LIKE 'a7%';
INSERT INTO Tags(ContainerId, ImageId, Arch, Name, Frozen, UpdatedByName, CreatedAt, UpdatedAt)
SELECT ContainerId, Id, 'amd64', CASE (rowid - 1) % 4 WHEN 3 THEN 'latest' ELSE 'v' || ((rowid - 1) % 4) END, 0, CreatedByName, CreatedAt, CreatedAt
FROM Images WHERE Id LIKE 'a7%';
COMMIT;

BEGIN;
INSERT INTO ImageLabels(ImageId, Key, Value)
SELECT i.Id, l.k, CASE l.k WHEN 'org.label-schema.name' THEN (SELECT w FROM words WHERE words.i = i.rowid % 16)
                           WHEN 'maintainer' THEN i.CreatedByName ELSE substr(i.CreatedAt, 1, 10) END
FROM Images i, (SELECT 'org.label-schema.name' AS k UNION ALL SELECT 'maintainer' UNION ALL SELECT 'org.label-schema.build-date') l
WHERE i.Id LIKE 'a7%';
COMMIT;

BEGIN;
INSERT INTO AuditEvents(At, UserId, UserName, Action, Target, CollectionId, Detail, Address)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s, p WHERE i + 1 < p.n)
SELECT datetime('2025-01-01', printf('+%d seconds', i * 15)), printf('a1%022x', (i / 4) % p.u), printf('u%05d', (i / 4) % p.u), 'image.push',
  printf('x/%d', i), printf('a5%022x', ((i / 4) % p.k) % p.c), 'sha256:' || printf('%064x', i), '10.0.0.1' FROM s, p;
COMMIT;

-- The fixed pages: bigco/wide with 2,000 containers of one image each; bigco/deep/tall with 500 tagged images.
BEGIN;
UPDATE Entities SET Name = 'bigco' WHERE Name = 't0000';
INSERT INTO Collections(Id, EntityId, Name, Description, IsPrivate, OnlySigned, CreatedById, CreatedAt, UpdatedAt)
SELECT 'b5' || substr(Id, 3), Id, 'wide', 'many containers', 0, 0, 'a1' || printf('%022x', 0), '2025-01-01 00:00:00', '2025-01-01 00:00:00' FROM Entities WHERE Name = 'bigco'
UNION ALL SELECT 'b6' || substr(Id, 3), Id, 'deep', 'many tags', 0, 0, 'a1' || printf('%022x', 0), '2025-01-01 00:00:00', '2025-01-01 00:00:00' FROM Entities WHERE Name = 'bigco';
INSERT INTO Containers(Id, CollectionId, Name, Description, FullDescription, DownloadCount, CreatedById, CreatedAt, UpdatedAt, AwaitingFirstImage)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < 2000)
SELECT printf('b7%022x', i), (SELECT Id FROM Collections WHERE Name = 'wide'), printf('w%04d', i), '', '', i, 'x', '2025-02-01 00:00:00', '2025-02-01 00:00:00', 0 FROM s
UNION ALL SELECT printf('b8%022x', 0), (SELECT Id FROM Collections WHERE Name = 'deep'), 'tall', '', '', 5, 'x', '2025-02-01 00:00:00', '2025-02-01 00:00:00', 0;
INSERT INTO Images(Id, ContainerId, Hash, Size, Arch, Description, Uploaded, Signed, SignedBy, Encrypted, CreatedById, CreatedByName,
  CreatedAt, UpdatedAt, UploadedAt, LabelsRead)
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < 2500)
SELECT printf('b9%022x', i), CASE WHEN i < 2000 THEN printf('b7%022x', i) ELSE printf('b8%022x', 0) END, printf('%064x', 90000000000 + i),
  2097152, 'amd64', '', 1, 0, '', 0, 'x', 'u00000', datetime('2025-02-01', printf('+%d seconds', i)), datetime('2025-02-01', printf('+%d seconds', i)),
  datetime('2025-02-01', printf('+%d seconds', i)), 1 FROM s;
INSERT INTO Blobs(Hash, Size, CreatedAt) SELECT Hash, Size, CreatedAt FROM Images WHERE Id LIKE 'b9%';
INSERT INTO Tags(ContainerId, ImageId, Arch, Name, Frozen, UpdatedByName, CreatedAt, UpdatedAt)
SELECT ContainerId, Id, 'amd64', CASE WHEN ContainerId LIKE 'b8%' THEN printf('1.%d', CAST(rowid AS INTEGER) % 100000) ELSE 'latest' END, 0, 'u00000', CreatedAt, CreatedAt
FROM Images WHERE Id LIKE 'b9%';
COMMIT;
