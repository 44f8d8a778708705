"""Checking chat uploads by content: images re-encoded, audio and video by their containers,
3D files through orders.modelfiles. See `inspection` for the order of the checks."""

from chat.uploads.inspection import ACCEPTED, inspect_upload
from chat.uploads.result import KINDS, AttachmentRejected, CheckedUpload, Kind

__all__ = ["ACCEPTED", "KINDS", "AttachmentRejected", "CheckedUpload", "Kind", "inspect_upload"]
