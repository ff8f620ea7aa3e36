export { EntityBlastRadiusCard } from './EntityBlastRadiusCard';
