"""The domain: plain Python services with no aiogram import."""
