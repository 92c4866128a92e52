"""``python -m nn3``: the same as the ``nn3`` command."""

from .cli import main

if __name__ == "__main__":
    main()
