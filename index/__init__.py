"""Build time: load reports, find their outline, cut passages, embed and store them, search them."""
