"""Salvo: a static timeline generator for North Korea's missile and nuclear tests."""
