import { ApolloServer } from "@apollo/server";
import { readFileSync } from "node:fs";

const typeDefs = readFileSync("schema.graphql", "utf8");
export const server = new ApolloServer({ typeDefs, resolvers: {} });
