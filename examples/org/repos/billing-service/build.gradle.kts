plugins {
    kotlin("jvm") version "1.9.23"
    id("org.springframework.boot") version "3.2.5"
}

group = "com.acme"
version = "1.7.0"

dependencies {
    implementation("org.springframework.boot:spring-boot-starter-web")
    implementation("software.amazon.awssdk:s3:2.25.40")
    implementation("io.grpc:grpc-kotlin-stub:1.4.1")
}
