namespace strata::domain {}
