package com.acme.search;

public final class Indexer {
    public static void main(String[] args) {
        System.out.println("search-indexer: consuming catalog.products.v2");
    }
}
