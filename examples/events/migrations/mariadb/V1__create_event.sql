-- Events as the legacy service stored them: DATETIME wall-clock time in the platform's zone.
CREATE TABLE event (
    event_id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    title              VARCHAR(255) NOT NULL DEFAULT '',
    registration_start DATETIME     NOT NULL,
    event_end          DATETIME     NOT NULL,
    created_at         DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX event_registration_start_idx (registration_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
