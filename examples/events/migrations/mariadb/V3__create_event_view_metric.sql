-- One row per event statistic and calendar day. Reads assume every day from registration
-- start to event end has a row; legacy events need them backfilled (V4).
CREATE TABLE event_view_metric (
    event_view_metric_id BIGINT   NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_statistic_id   BIGINT   NOT NULL,
    view_date            DATE     NOT NULL,
    view_count           BIGINT   NOT NULL DEFAULT 0,
    created_at           DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at           DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    CONSTRAINT event_view_metric_statistic_day_uk UNIQUE (event_statistic_id, view_date),
    CONSTRAINT event_view_metric_statistic_fk FOREIGN KEY (event_statistic_id)
        REFERENCES event_statistic (event_statistic_id) ON DELETE CASCADE,
    CONSTRAINT event_view_metric_count_ck CHECK (view_count >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
