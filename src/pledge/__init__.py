"""Pledge: the SogaWorks Services, built so that the SogaWorks Privacy Policy is kept by code."""
