"""The engine's public face is pinned: adding a name to privacy.api is a deliberate act."""

import privacy.api


def test_privacy_api_exports_exactly_these_names() -> None:
    assert sorted(privacy.api.__all__) == [
        "BlindIndexField",
        "EncryptedCharField",
        "EncryptedFileField",
        "EncryptedTextField",
        "PersonalModel",
        "ProcessingError",
        "SubjectErased",
        "audit_action",
        "blind_index",
        "consent_granted",
        "delete_file",
        "email_open_pixel",
        "encrypted_file_response",
        "grant_purpose_consent",
        "may_process",
        "minimum_age_for",
        "not_personal",
        "personal",
        "processable_subjects",
        "purpose_consent_state",
        "recipient_allows_pixels",
        "record_event",
        "withdraw_purpose_consent",
    ]
