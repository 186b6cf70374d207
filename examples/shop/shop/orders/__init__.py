"""Orders: shopping cart, checkout and the order lifecycle."""
