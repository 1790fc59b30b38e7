package main

type item struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	PriceCents int    `json:"priceCents"`
}

// catalogItems is the catalog's fixed product list.
var catalogItems = []item{
	{SKU: "mug-001", Name: "Failure Wednesday mug", PriceCents: 1200},
	{SKU: "tee-002", Name: "\"It was DNS\" T-shirt", PriceCents: 2500},
	{SKU: "pager-003", Name: "Retro pager (decorative)", PriceCents: 4200},
	{SKU: "book-004", Name: "Runbook notebook", PriceCents: 900},
}
