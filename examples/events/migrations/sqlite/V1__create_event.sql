-- Times are ISO-8601 UTC text, e.g. '2024-03-09T15:00:00Z'.
CREATE TABLE event (
    event_id           INTEGER PRIMARY KEY,
    title              TEXT NOT NULL DEFAULT '',
    registration_start TEXT NOT NULL,
    event_end          TEXT NOT NULL,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE INDEX event_registration_start_idx ON event (registration_start);
