CREATE TABLE event_statistic (
    event_statistic_id BIGINT   NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id           BIGINT   NOT NULL,
    total_view_count   BIGINT   NOT NULL DEFAULT 0,
    created_at         DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX event_statistic_event_id_idx (event_id),
    CONSTRAINT event_statistic_event_fk FOREIGN KEY (event_id)
        REFERENCES event (event_id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
