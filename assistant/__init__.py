"""Question time: settings, composition root, answering chain, figures check, evaluation, CLI."""
