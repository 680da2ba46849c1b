"""Plans, rounds and targets cascaded down the organisation tree, and progress against them."""
