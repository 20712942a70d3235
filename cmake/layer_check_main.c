/* The executable of a layer check (cmake/RefastLayers.cmake): it only has to link. */
int main(void)
{
    return 0;
}
