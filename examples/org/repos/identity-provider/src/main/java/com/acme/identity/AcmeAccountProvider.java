package com.acme.identity;

/** Custom Keycloak user-storage provider backed by the identity database. */
public class AcmeAccountProvider {
}
