"""Order rules that every door calls: intake, cancellation, dispatch, credit holds,
dead letters. Import from the modules: `from orders.services.intake import place_order`."""
