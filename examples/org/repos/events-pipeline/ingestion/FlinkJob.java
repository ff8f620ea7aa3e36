package com.acme.data.ingestion;

public final class FlinkJob {
    public static void main(String[] args) throws Exception {
        // Reads payments.events.v1, orders.events.v1, catalog.products.v2; writes Iceberg tables.
    }
}
