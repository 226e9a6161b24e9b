-- A small ManicTimeReports.db in the shape ManicTime 4+ keeps (formats/manictime.md,
-- "The database"), for ManicTimeDatabaseTests, which builds the file from this text.
-- Times are text; the local times are Europe/Berlin, across the spring DST change.
CREATE TABLE Ar_Timeline (ReportId INTEGER PRIMARY KEY, SchemaName TEXT, BaseSchemaName TEXT, Name TEXT, TimelineKey TEXT);
CREATE TABLE Ar_Group (GroupId INTEGER, ReportId INTEGER, Name TEXT, Color TEXT, Key TEXT, GroupType TEXT, Other TEXT);
CREATE TABLE Ar_CommonGroup (CommonId INTEGER PRIMARY KEY, Name TEXT, Color TEXT, Key TEXT, GroupType TEXT);
CREATE TABLE Ar_Activity (ActivityId INTEGER PRIMARY KEY, ReportId INTEGER, StartLocalTime TEXT, EndLocalTime TEXT,
  Name TEXT, GroupId INTEGER, Notes TEXT, IsActive INTEGER, IsBillable INTEGER, CommonGroupId INTEGER,
  StartUtcTime TEXT, EndUtcTime TEXT, Other TEXT);
CREATE TABLE Ar_Tag (TagId INTEGER PRIMARY KEY, Name TEXT);
CREATE TABLE Ar_ActivityTag (ActivityId INTEGER, TagId INTEGER);

INSERT INTO Ar_Timeline VALUES
  (1, 'ManicTime/ComputerUsage', 'ManicTime/Generic/Group', 'Computer usage', 'k-usage'),
  (2, 'ManicTime/Applications', 'ManicTime/Generic/Group', 'Applications', 'k-apps'),
  (3, 'ManicTime/Documents', 'ManicTime/Generic/Group', 'Documents', 'k-docs'),
  (4, 'ManicTime/Tags', 'ManicTime/Generic/Group', 'Tags', 'k-tags');

INSERT INTO Ar_Group VALUES
  (1, 1, 'Active', '58C10C', 'ManicTime/Active', 'ManicTime/ComputerUsage', NULL),
  (2, 1, 'Away', 'AAAAAA', 'ManicTime/Away', 'ManicTime/ComputerUsage', NULL),
  (1, 2, 'Google Chrome', '4285F4', 'chrome.exe;google chrome', 'ManicTime/Applications', '{"fileName":"chrome.exe","fullPath":"C:/Program Files/Google/Chrome/Application/chrome.exe"}'),
  (2, 2, 'Visual Studio Code', '007ACC', 'code.exe;visual studio code', 'ManicTime/Applications', '{"fileName":"code.exe"}'),
  (1, 3, 'github.com', '24292E', 'github.com', 'ManicTime/WebSites', NULL),
  (1, 4, 'Client 1, Project 1, Design', 'FF8800', 'client 1, project 1, design', 'ManicTime/Tags', NULL);

INSERT INTO Ar_Activity VALUES
  (101, 1, '2024-03-31 01:00:00', '2024-03-31 04:00:00', 'Active', 1, NULL, 1, 0, NULL, '2024-03-31 00:00:00', '2024-03-31 02:00:00', NULL),
  (102, 1, '2024-03-31 04:00:00', '2024-03-31 04:30:00', 'Away', 2, NULL, 1, 0, NULL, '2024-03-31 02:00:00', '2024-03-31 02:30:00', NULL),
  (201, 2, '2024-03-31 01:05:00', '2024-03-31 01:20:00', 'Pull requests · eidolon — GitHub', 1, NULL, 1, 0, NULL, '2024-03-31 00:05:00', '2024-03-31 00:20:00', NULL),
  (202, 2, '2024-03-31 01:20:00', '2024-03-31 03:40:00', 'main.swift — "eidolon", draft', 2, NULL, 1, 0, NULL, '2024-03-31 00:20:00', '2024-03-31 01:40:00', NULL),
  (203, 2, '2024-03-31 03:45:00', '2024-03-31 03:40:00', 'Backwards', 2, NULL, 1, 0, NULL, '2024-03-31 01:45:00', '2024-03-31 01:40:00', NULL),
  (301, 3, '2024-03-31 01:05:00', '2024-03-31 01:20:00', 'https://github.com/eidolon/eidolon/pulls', 1, NULL, 1, 0, 7, '2024-03-31 00:05:00', '2024-03-31 00:20:00', NULL),
  (401, 4, '2024-03-31 01:00:00', '2024-03-31 03:30:00', 'Client 1, Project 1, Design', 1, 'Sketches, "v2"', 1, 1, NULL, '2024-03-31 00:00:00', '2024-03-31 01:30:00', NULL);
