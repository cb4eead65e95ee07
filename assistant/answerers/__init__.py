"""Answerers turn a question and retrieved passages into a draft answer with [n] markers."""
