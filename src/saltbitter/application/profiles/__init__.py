"""Profiles and photos: the member's own profile, others' public views, photo uploads."""
