"""Channels: where messages leave (Telegram today, Zalo next), behind one port."""
